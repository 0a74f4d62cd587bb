/**
 * An email notice as a message: subject, plain text and HTML (every interpolated value escaped),
 * each with a link to the token's console page `<issuer>/console/tokens/<id>`. Pure.
 */
import type { EmailNotice } from '../audit/email-notice.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);

/** A header must be one line: a token name with a line break must not add a header. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').slice(0, 200);

function headline(notice: EmailNotice): string {
  switch (notice.kind) {
    case 'token.created':
      return 'A new personal access token was created';
    case 'token.expiring':
      return `Your personal access token expires in ${notice.daysBeforeExpiry ?? 'a few'} day(s)`;
    case 'token.expired':
      return 'Your personal access token has expired';
    case 'token.revoked_by_admin':
      return 'An administrator revoked your personal access token';
    case 'token.leaked':
      return 'Your personal access token was reported leaked and revoked';
  }
}

function advice(notice: EmailNotice): string {
  switch (notice.kind) {
    case 'token.created':
      return 'If you did not create it, revoke it now and tell your administrator.';
    case 'token.expiring':
    case 'token.expired':
      return 'Rotate or replace it where it is used, if it is still needed.';
    case 'token.revoked_by_admin':
      return 'It no longer works. Ask your administrator if you do not know why.';
    case 'token.leaked':
      return 'It was found where it should not be and no longer works. Create a new one and keep it secret.';
  }
}

/** The facts lines, as label/value pairs, shared by both parts. */
function facts(notice: EmailNotice): [string, string][] {
  const lines: [string, string][] = [
    ['Token', `${notice.tokenName} (${notice.tokenHint}…)`],
    ['Owner', notice.username],
    ['When', notice.at],
  ];
  if (notice.ip) lines.push(['From', notice.ip]);
  if (notice.userAgent) lines.push(['Client', notice.userAgent]);
  return lines;
}

export function tokenPageUrl(issuer: string, tokenId: string): string {
  return `${issuer.replace(/\/+$/, '')}/console/tokens/${encodeURIComponent(tokenId)}`;
}

export function renderEmail(notice: EmailNotice, issuer: string): RenderedEmail {
  const title = headline(notice);
  const link = tokenPageUrl(issuer, notice.tokenId);
  const lines = facts(notice);
  const text = [
    title,
    '',
    ...lines.map(([label, value]) => `${label}: ${value}`),
    '',
    advice(notice),
    '',
    `Token page: ${link}`,
    '',
  ].join('\n');
  const rows = lines
    .map(
      ([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html lang="en"><body><h1>${escapeHtml(title)}</h1><table>${rows}</table><p>${escapeHtml(
    advice(notice),
  )}</p><p><a href="${escapeHtml(link)}">Open the token page</a></p></body></html>`;
  return { subject: oneLine(`Tessera: ${title}: ${notice.tokenName}`), text, html };
}
