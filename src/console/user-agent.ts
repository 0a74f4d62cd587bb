/**
 * A `User-Agent` as people read it: "Chrome on Linux", "curl 8.5". Browsers are recognised by
 * bowser (MIT, maintained); tools that bowser does not know (curl, python-requests, Go's client)
 * send `product/version` (RFC 9110 §10.1.5), whose first product is shown with its
 * major.minor version. The page keeps the raw string on hover.
 */
import Bowser from 'bowser';

const PRODUCT = /^([A-Za-z][\w.-]{0,40})\/(\d+(?:\.\d+)?)/;

export function userAgentLabel(raw: string | null): string | null {
  if (!raw) return null;
  const parser = Bowser.getParser(raw);
  const browser = parser.getBrowserName();
  const os = parser.getOSName();
  if (browser && os) return `${browser} on ${os}`;
  const product = PRODUCT.exec(raw);
  if (product) return `${product[1]} ${product[2]}`;
  if (browser) return browser;
  return raw.length > 40 ? `${raw.slice(0, 39)}…` : raw;
}
