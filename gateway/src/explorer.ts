/**
 * A small GraphQL console served at the gateway's `/` outside production. It loads nothing from the
 * internet (the usual explorers come from a CDN, unreachable offline and in many government networks).
 */
export const EXPLORER_HTML = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>National identity graph</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr; grid-template-rows: auto 1fr; height: 100vh; }
  header { grid-column: 1 / 3; padding: 8px 12px; background: #0b3d91; color: #fff; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  header input { flex: 1; min-width: 240px; font: inherit; padding: 4px; }
  main, aside { display: flex; flex-direction: column; padding: 8px; gap: 6px; min-height: 0; }
  textarea, pre { font: 13px/1.4 ui-monospace, monospace; border: 1px solid #ccc; padding: 6px; margin: 0; }
  #query { flex: 3; } #variables { flex: 1; }
  pre { flex: 1; overflow: auto; background: #f7f7f7; white-space: pre-wrap; }
  button, select { font: inherit; padding: 4px 10px; }
</style>
</head>
<body>
<header>
  <strong>National identity graph</strong>
  <select id="examples" aria-label="Examples"></select>
  <input id="token" placeholder="Access token (Authorization: Bearer …), filled in after verifyLoginOtp" aria-label="Access token">
  <button id="run">Run (Ctrl+Enter)</button>
</header>
<main>
  <label for="query">Query</label><textarea id="query" spellcheck="false"></textarea>
  <label for="variables">Variables (JSON)</label><textarea id="variables" spellcheck="false">{}</textarea>
</main>
<aside><label for="result">Result</label><pre id="result" aria-live="polite"></pre></aside>
<script>
const examples = {
  'Catalogue and fees': ['{ publicServices(first: 10) { edges { node { code name agencyName feeSchedule { total items { name amount } } } } } }', '{}'],
  'Postal points of a province': ['query($p: String, $s: String) { postalPoints(provinceCode: $p, search: $s, first: 5) { edges { node { code name kind address isOpen } } pageInfo { hasNextPage endCursor } } }', '{ "p": "001", "s": "hoan kiem" }'],
  '1. Log in (then read the code from the SMS outbox)': ['mutation($u: String!, $p: String!) { login(username: $u, password: $p) { challengeId expiresAt } }', '{ "u": "001190000123", "p": "Demo@2026" }'],
  '2. Enter the code': ['mutation($c: ID!, $o: String!) { verifyLoginOtp(challengeId: $c, code: $o) { accessToken refreshToken expiresAt account { fullName level } } }', '{ "c": "", "o": "" }'],
  '3. Me, my dossiers and what they owe': ['{ me { fullName level status dossiers(first: 10) { edges { node { registrationCode status service { name feeSchedule { total } } amountDue } } } } }', '{}'],
  '4. My identity QR code (level 2; an official or clerk scans it with verifyIdentityQr)': ['mutation($s: [IdentityAttribute!]) { createIdentityQr(share: $s) { payload expiresAt sharedAttributes svg } }', '{ "s": ["PERSONAL_ID_NUMBER"] }'],
};
const $ = (id) => document.getElementById(id);
for (const name of Object.keys(examples)) $('examples').add(new Option(name, name));
const show = (name) => { [$('query').value, $('variables').value] = examples[name]; };
$('examples').onchange = (e) => show(e.target.value);
show(Object.keys(examples)[0]);
async function run() {
  let variables;
  try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'Variables are not valid JSON: ' + e.message; return; }
  const headers = { 'content-type': 'application/json' };
  if ($('token').value.trim()) headers.authorization = 'Bearer ' + $('token').value.trim();
  $('result').textContent = '…';
  try {
    const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query: $('query').value, variables }) });
    const body = await response.json();
    const token = body && body.data && body.data.verifyLoginOtp && body.data.verifyLoginOtp.accessToken;
    if (token) $('token').value = token;
    $('result').textContent = JSON.stringify(body, null, 2);
  } catch (e) { $('result').textContent = String(e); }
}
$('run').onclick = run;
document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
</script>
</body>
</html>
`;
