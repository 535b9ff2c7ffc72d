/**
 * Every form a password takes in a URI or in JSON output: raw, percent-encoded with upper and lower hex, every byte
 * encoded, every other character encoded, JSON-escaped, `+` for a space.
 */
export function encodingsOf(password: string): string[] {
  const upper = encodeURIComponent(password).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const everyByte = [...new TextEncoder().encode(password)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  const half = [...password].map((c, i) => (i % 2 === 0 ? c : encodeURIComponent(c))).join('');
  return [
    ...new Set([
      password,
      upper,
      upper.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      everyByte,
      everyByte.toUpperCase(),
      half,
      JSON.stringify(password).slice(1, -1),
      password.replace(/ /g, '+'),
    ]),
  ];
}

/** The encodings of `passwords` that occur in `text`. */
export function leaks(text: string, passwords: readonly string[]): string[] {
  return passwords.flatMap(encodingsOf).filter((form) => text.includes(form));
}
