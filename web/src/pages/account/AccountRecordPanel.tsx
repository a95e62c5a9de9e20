import type { AccountDetail } from '../../../../src/contracts/index.js';
import { formatTime } from '../../app/format.js';
import { KeyValue } from '../../components/KeyValue.js';

/** The account record as supplied (sign-up, payment, country), when there is one. */
export function AccountRecordPanel({ record }: { record: AccountDetail['record'] }) {
  return (
    <section className="panel">
      <div className="panel-title">Account record</div>
      {record ? (
        <KeyValue
          rows={[
            ['created', formatTime(record.created_at)],
            ['tier', record.tier],
            ['e-mail domain', record.email_domain],
            [
              'payment',
              record.payment_fingerprint && <span className="mono">{record.payment_fingerprint}</span>,
            ],
            ['country', record.declared_country],
            ['sign-up IP', record.signup_ip && <span className="mono">{record.signup_ip}</span>],
            ['verified', record.verified === undefined ? undefined : record.verified ? 'yes' : 'no'],
          ]}
        />
      ) : (
        <span className="muted">No account record was supplied for this account.</span>
      )}
    </section>
  );
}
