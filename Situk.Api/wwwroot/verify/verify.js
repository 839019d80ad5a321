// The email's link opens this page; only pressing the button spends the token (a mail scanner that
// fetches the link confirms nothing). The token is in the fragment (#token=…), which the browser never
// sends to a server, so only the POST below carries it; the page sends no referrer and nothing here logs it.
// Its words are in the browser's language if that is Indonesian or English, else Indonesian (no one is signed in).
import { PageText, withLanguage } from '../shared/pagetext.js';

const text = await PageText.load(new URL('verify', import.meta.url), PageText.browserLanguage());
text.apply();
const button = document.getElementById('confirm');
const result = document.getElementById('result');
const problem = document.getElementById('problem');
const token = new URLSearchParams(location.hash.slice(1)).get('token')?.trim() ?? '';

if (token === '') {
  problem.textContent = text.say('incomplete');
} else {
  button.disabled = false;
  button.addEventListener('click', confirmEmail);
}

async function confirmEmail() {
  button.disabled = true;
  result.textContent = '';
  problem.textContent = '';
  try {
    // Relative to the page, so a site served below a path (https://lsp.example/situk/) posts to its own API.
    const response = await fetch('api/v1/accounts/verify', {
      method: 'POST',
      headers: withLanguage({ 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' }),
      body: JSON.stringify({ token }),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (response.ok) {
      button.hidden = true;
      result.textContent = text.say('confirmed');
      return;
    }
    problem.textContent = await detailOf(response);
    // Too many tries from this address is worth retrying later; a used, expired or unknown link is not.
    button.disabled = response.status !== 429;
  } catch {
    problem.textContent = text.say('unreachable');
    button.disabled = false;
  }
}

// The problem+json detail names what went wrong (used, expired or unknown link; too many tries).
async function detailOf(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === 'string' && body.detail !== '') {
      return body.detail;
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return text.say('failed', { status: response.status });
}
