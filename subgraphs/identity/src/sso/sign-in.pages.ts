import { TEXTS, type ErrorKey, type Language } from './sign-in.texts';

/** Everything interpolated into a page goes through here. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** No script, no font or style from elsewhere: the pages work offline and behind any government network. */
const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;background:#f3f5f8;color:#1b1f24;line-height:1.5}
header{background:#a6192e;color:#fff;padding:14px 20px;display:flex;justify-content:space-between;align-items:center}
header strong{font-size:1.05rem}header a{color:#fff}
main{max-width:440px;margin:32px auto;padding:28px;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.45rem;margin:0 0 8px}p.lead{margin:0 0 20px;color:#3d4450}
label{display:block;font-weight:bold;margin:16px 0 6px}
input[type=text],input[type=password]{width:100%;font-size:1.05rem;padding:10px 12px;border:1px solid #8a94a3;border-radius:4px}
button,input{font-family:inherit}
input:focus,button:focus,a:focus{outline:3px solid #f2a900;outline-offset:2px}
.hint{font-size:.88rem;color:#4a5361;margin:4px 0 0}
button{font-size:1rem;padding:11px 18px;border-radius:4px;border:1px solid #a6192e;cursor:pointer}
button.primary{background:#a6192e;color:#fff;width:100%;margin-top:22px}
button.secondary{background:#fff;color:#a6192e;width:100%;margin-top:10px}
button.link{background:none;border:none;color:#a6192e;text-decoration:underline;padding:6px 0}
.error{background:#fdecee;border:1px solid #d93a4e;color:#8c1021;padding:10px 12px;border-radius:4px;margin:0 0 12px}
.notice{background:#eef6ee;border:1px solid #4a9a50;padding:10px 12px;border-radius:4px;margin:0 0 12px}
ul.claims{padding-left:20px}ul.claims li{margin:6px 0}
p.or{text-align:center;color:#4a5361;margin:18px 0 0}
.point{background:#f6f0e3;border:1px solid #c9a55a;padding:12px;border-radius:4px;margin:12px 0}
`;

export interface PageFrame { lang: Language; title: string; body: string; languageHref?: string }

export function page({ lang, title, body, languageHref }: PageFrame): string {
  const t = TEXTS[lang];
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(t.service)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><strong>${escapeHtml(t.service)}</strong>${languageHref ? `<a href="${escapeHtml(languageHref)}" lang="${lang === 'vi' ? 'en' : 'vi'}">${escapeHtml(t.language)}</a>` : ''}</header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function errorBox(lang: Language, error: ErrorKey | undefined, detail?: string): string {
  if (!error) return '';
  return `<div class="error" role="alert" id="form-error">${escapeHtml(TEXTS[lang].errors[error])}${detail ? ` ${escapeHtml(detail)}` : ''}</div>`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

export interface FormContext {
  lang: Language; action: string; csrf: string; relyingParty: string; languageHref: string;
  /** The upstream provider people may sign in with instead (its label, e.g. VNeID); none when it is not configured. */
  upstream?: string;
}

/** The way to sign in through the upstream provider: a form (no script), bound to the interaction like the others. */
function upstreamForm(f: FormContext): string {
  if (!f.upstream) return '';
  const t = TEXTS[f.lang];
  return `<p class="or">${escapeHtml(t.or)}</p>
<form method="post" action="${escapeHtml(f.action)}/upstream">${hidden('csrf', f.csrf)}${hidden('lang', f.lang)}<button type="submit" class="secondary" id="upstream-sign-in">${escapeHtml(t.signInWith(f.upstream))}</button></form>`;
}

export function loginPage(f: FormContext & { username?: string; error?: ErrorKey }): string {
  const t = TEXTS[f.lang];
  const described = f.error ? ' aria-describedby="form-error"' : '';
  return page({
    lang: f.lang, title: t.signInTitle, languageHref: f.languageHref,
    body: `<p class="lead">${escapeHtml(t.signInTo(f.relyingParty))}</p>
${errorBox(f.lang, f.error)}
<form method="post" action="${escapeHtml(f.action)}/login" novalidate>
${hidden('csrf', f.csrf)}${hidden('lang', f.lang)}
<label for="username">${escapeHtml(t.username)}</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(f.username ?? '')}" aria-describedby="username-hint"${f.error ? ' aria-invalid="true"' : ''}>
<p class="hint" id="username-hint">${escapeHtml(t.usernameHint)}</p>
<label for="password">${escapeHtml(t.password)}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}>
<button type="submit" class="primary">${escapeHtml(t.continue)}</button>
</form>
${upstreamForm(f)}
<form method="post" action="${escapeHtml(f.action)}/abort">${hidden('csrf', f.csrf)}<button type="submit" class="secondary">${escapeHtml(t.cancel)}</button></form>`,
  });
}

export function otpPage(f: FormContext & { error?: ErrorKey; errorDetail?: string; resent?: boolean }): string {
  const t = TEXTS[f.lang];
  return page({
    lang: f.lang, title: t.otpTitle, languageHref: f.languageHref,
    body: `<p class="lead">${escapeHtml(t.otpSent)}</p>
${f.resent ? `<div class="notice" role="status">${escapeHtml(t.resent)}</div>` : ''}${errorBox(f.lang, f.error, f.errorDetail)}
<form method="post" action="${escapeHtml(f.action)}/otp" novalidate>
${hidden('csrf', f.csrf)}${hidden('lang', f.lang)}
<label for="code">${escapeHtml(t.otp)}</label>
<input type="text" id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus${f.error ? ' aria-invalid="true" aria-describedby="form-error"' : ''}>
<button type="submit" class="primary">${escapeHtml(t.continue)}</button>
</form>
<form method="post" action="${escapeHtml(f.action)}/resend">${hidden('csrf', f.csrf)}${hidden('lang', f.lang)}<button type="submit" class="link">${escapeHtml(t.resend)}</button></form>
<form method="post" action="${escapeHtml(f.action)}/abort">${hidden('csrf', f.csrf)}<button type="submit" class="secondary">${escapeHtml(t.cancel)}</button></form>`,
  });
}

/** What the relying party will receive, one line per scope (`openid` is the account id). */
export function consentPage(f: FormContext & { scopes: string[] }): string {
  const t = TEXTS[f.lang];
  const lines = f.scopes.map((scope) => (scope === 'openid' ? t.claims.sub : t.claims[scope as keyof typeof t.claims])).filter(Boolean);
  return page({
    lang: f.lang, title: t.consentTitle, languageHref: f.languageHref,
    body: `<p class="lead">${escapeHtml(t.consentLead(f.relyingParty))}</p>
<ul class="claims">${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
<form method="post" action="${escapeHtml(f.action)}/consent">${hidden('csrf', f.csrf)}
<button type="submit" class="primary" autofocus>${escapeHtml(t.allow)}</button></form>
<form method="post" action="${escapeHtml(f.action)}/abort">${hidden('csrf', f.csrf)}<button type="submit" class="secondary">${escapeHtml(t.deny)}</button></form>`,
  });
}

/**
 * A sign-in below the level 2 the relying party requires: a level-1 account learns where to get verified; a level-2
 * account that the upstream provider confirmed at level 1 only (`upstreamLevelOnly`) learns to sign in another way.
 * Either way, the way back to the relying party.
 */
export function levelRefusedPage(f: FormContext & { postalPoint: { code: string; name?: string } | null; upstreamLevelOnly?: string }): string {
  const t = TEXTS[f.lang];
  const point = f.upstreamLevelOnly ? ''
    : f.postalPoint
      ? `<p>${escapeHtml(t.refusedWhere)}</p><div class="point" id="verification-postal-point"><strong>${escapeHtml(f.postalPoint.name ?? f.postalPoint.code)}</strong><br>${escapeHtml(f.postalPoint.code)}</div>`
      : `<p>${escapeHtml(t.refusedNoPoint)}</p>`;
  const lead = f.upstreamLevelOnly ? t.refusedUpstreamLead(f.relyingParty, f.upstreamLevelOnly) : t.refusedLead(f.relyingParty);
  return page({
    lang: f.lang, title: t.refusedTitle, languageHref: f.languageHref,
    body: `<p class="lead">${escapeHtml(lead)}</p>${point}
<form method="post" action="${escapeHtml(f.action)}/abort">${hidden('csrf', f.csrf)}<button type="submit" class="primary" autofocus>${escapeHtml(t.refusedBack(f.relyingParty))}</button></form>${f.upstreamLevelOnly
  ? `\n<form method="post" action="${escapeHtml(f.action)}/retry">${hidden('csrf', f.csrf)}<button type="submit" class="secondary">${escapeHtml(t.signInAnotherWay)}</button></form>` : ''}`,
  });
}

export function errorPage(lang: Language, detail?: string): string {
  const t = TEXTS[lang];
  return page({ lang, title: t.errorTitle, body: `<p class="lead" role="alert">${escapeHtml(t.errorLead)}</p>${detail ? `<p class="hint">${escapeHtml(detail)}</p>` : ''}` });
}

/** RP-initiated logout: oidc-provider's own form (with its own anti-forgery token), our words and buttons. */
export function logoutPage(lang: Language, form: string): string {
  const t = TEXTS[lang];
  return page({
    lang, title: t.signOutTitle,
    body: `<p class="lead">${escapeHtml(t.signOutQuestion)}</p>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" class="primary" autofocus>${escapeHtml(t.signOutYes)}</button>
<button type="submit" form="op.logoutForm" class="secondary">${escapeHtml(t.signOutNo)}</button>`,
  });
}

export function signedOutPage(lang: Language): string {
  const t = TEXTS[lang];
  return page({ lang, title: t.signOutTitle, body: `<p class="lead" role="status">${escapeHtml(t.signedOut)}</p>` });
}
