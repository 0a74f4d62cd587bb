import { describe, expect, it } from '@jest/globals';
import { escapeHtml, Html, h, renderDocument } from '../../../src/console/jsx.js';

describe('the console JSX runtime', () => {
  it('escapes text and attribute values by default', () => {
    const hostile = '<script>alert("x")</script>&\'';
    const out = h('p', { title: hostile }, hostile, h('input', { type: 'text', value: hostile })).value;
    expect(out).not.toContain('<script>');
    expect(out).toContain('>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;<input');
    expect(out).toContain('<input type="text" value="&lt;script&gt;');
  });
  it('writes boolean attributes bare, drops false and null ones, closes no void element', () => {
    expect(h('input', { required: true, disabled: false, title: null }).value).toBe('<input required>');
  });
  it('nests rendered elements without escaping them twice', () => {
    expect(h('p', null, h('b', null, 'a&b'), ' & ', ['x', 2]).value).toBe('<p><b>a&amp;b</b> &amp; x2</p>');
  });
  it('emits raw markup only from Html values', () => {
    expect(h('div', null, new Html('<i>ok</i>')).value).toBe('<div><i>ok</i></div>');
    expect(escapeHtml('"')).toBe('&quot;');
    expect(renderDocument(h('html', { lang: 'en' }))).toBe('<!DOCTYPE html>\n<html lang="en"></html>');
  });
});
