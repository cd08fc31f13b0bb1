/**
 * The HTML building blocks of the connect pages: one escape function every interpolated value
 * goes through, and one self-contained layout (inline style under a per-response CSP nonce, no
 * script, no external resource). Pages are built from strings here, never through the template
 * engine: a value a user typed is data and must never reach a template compiler.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' }

/** Text and attribute values alike (attributes are always double-quoted). */
export function escapeHtml (value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ESCAPES[c]!)
}

/** Marks a string as already-escaped HTML, so composition never escapes twice or not at all. */
export class Html {
  constructor (readonly text: string) {}
  toString (): string { return this.text }
}

/** Tagged template: every `${value}` is escaped unless it is Html (or an array of Html). */
export function html (strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!
  })
  return new Html(out)
}

function render (value: unknown): string {
  if (value instanceof Html) return value.text
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === undefined || value === null || value === false) return ''
  return escapeHtml(value)
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--text:#1b1f24;--muted:#5b6470;--line:#d5d9df;--accent:#2456d6;--accent-text:#fff;--error:#b42318;--error-bg:#fdecea;--ok:#1a7f37;--ok-bg:#e6f4ea;--focus:#1d4ed8}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1b1f24;--text:#e8eaed;--muted:#a0a8b3;--line:#3a414a;--accent:#5b8def;--accent-text:#0b1020;--error:#ff8a80;--error-bg:#3b1512;--ok:#7ee2a8;--ok-bg:#10301c;--focus:#93b4ff}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:48px 16px;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{width:100%;max-width:440px;background:var(--card);border:1px solid var(--line);border-radius:12px;padding:32px;box-shadow:0 1px 2px rgba(0,0,0,.06),0 8px 24px rgba(0,0,0,.06)}
header{display:flex;gap:14px;align-items:center;margin-bottom:20px}
header img,.badge{width:48px;height:48px;border-radius:10px;flex:none}
.badge{display:flex;align-items:center;justify-content:center;background:var(--accent);color:var(--accent-text);font-weight:700;font-size:18px;letter-spacing:.5px}
h1{font-size:20px;line-height:1.3;margin:0}
.sub{margin:2px 0 0;color:var(--muted);font-size:14px}
p{margin:0 0 16px}
fieldset{border:0;margin:0 0 20px;padding:0}
legend{font-weight:600;margin-bottom:8px;padding:0}
.methods label{display:flex;gap:10px;align-items:center;padding:10px 12px;border:1px solid var(--line);border-radius:8px;margin-bottom:8px;cursor:pointer}
.methods label.off{opacity:.6;cursor:not-allowed}
.methods small{color:var(--muted)}
.field{margin-bottom:18px}
.field>label{display:block;font-weight:600;margin-bottom:6px}
.req{color:var(--muted);font-weight:400}
input[type=text],input[type=password],input[type=url],input[type=email],input[type=number],select{width:100%;padding:10px 12px;border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--text);font:inherit}
input[aria-invalid=true],select[aria-invalid=true]{border-color:var(--error)}
.help{margin:6px 0 0;color:var(--muted);font-size:14px}
.error{margin:6px 0 0;color:var(--error);font-size:14px;font-weight:500}
.banner{border-radius:8px;padding:12px 14px;margin-bottom:20px;font-size:15px}
.banner.bad{background:var(--error-bg);color:var(--error)}
.banner.good{background:var(--ok-bg);color:var(--ok)}
button{width:100%;padding:11px 16px;border:0;border-radius:8px;background:var(--accent);color:var(--accent-text);font:inherit;font-weight:600;cursor:pointer}
button.secondary{width:auto;background:transparent;color:var(--accent);border:1px solid var(--line);padding:8px 14px}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
input:focus-visible,select:focus-visible{outline-offset:0}
footer{margin-top:20px;color:var(--muted);font-size:13px;text-align:center}
`

/** A whole page. `nonce` must be the one in this response's Content-Security-Policy. */
export function page (options: { title: string, nonce: string, body: Html }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${options.title}</title>
<style nonce="${options.nonce}">${new Html(STYLE)}</style>
</head>
<body>
<main>
${options.body}
</main>
</body>
</html>
`.text
}
