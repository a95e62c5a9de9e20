import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from './html.js';

describe('html', () => {
  it('escapes every interpolated string, including quotes that would leave an attribute', () => {
    const prompt = `"><script>alert('x')</script>&\``;
    const out = html`<p title="${prompt}">${prompt}</p>`.value;
    expect(out).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;</p>',
    );
  });

  it('nests safe fragments and arrays without escaping them twice', () => {
    const items = ['a<b', 'c&d'].map((t) => html`<li>${t}</li>`);
    // The formatter lays the literal markup out on lines; only whitespace between tags differs.
    const list = html`<ul>
      ${items}
    </ul>`.value.replace(/>\s+</g, '><');
    expect(list).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
  });

  it('prints numbers and drops null, undefined and false', () => {
    expect(html`${3}|${null}|${undefined}|${false}|${0}`.value).toBe('3||||0');
  });

  it('passes trusted markup through raw only', () => {
    expect(html`${raw('<b>x</b>')}${'<b>x</b>'}`.value).toBe('<b>x</b>&lt;b&gt;x&lt;/b&gt;');
    expect(escapeHtml('plain text')).toBe('plain text');
  });
});
