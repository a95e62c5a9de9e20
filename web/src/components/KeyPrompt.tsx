import { useState, type FormEvent } from 'react';
import { saveKey } from '../api/session.js';

/** Shown when the server answered 401: the analyst pastes a key printed by `distillguard serve`. */
export function KeyPrompt({ reason, onSaved }: { reason: string; onSaved: () => void }) {
  const [key, setKey] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) return;
    saveKey(key);
    onSaved();
  };
  return (
    <div className="key-prompt">
      <form className="panel" onSubmit={submit}>
        <div className="brand big">
          <span className="logo" /> DistillGuard
        </div>
        <p>{reason}</p>
        <p className="muted">
          Paste an analyst or admin API key. <code>distillguard serve --demo</code> prints one when it starts.
          The key stays in this browser&apos;s local storage.
        </p>
        <input
          className="input"
          type="password"
          placeholder="API key"
          value={key}
          autoFocus
          onChange={(e) => setKey(e.target.value)}
          name="api-key"
        />
        <button className="btn btn-primary" type="submit">
          Sign in
        </button>
      </form>
    </div>
  );
}
