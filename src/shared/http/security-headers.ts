import { NextFunction, Request, Response } from 'express';

/**
 * Headers for every answer. The web page is plain same-origin ES modules and a stylesheet, so the
 * content security policy allows nothing else; API answers are never cached or framed.
 */
const HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export function securityHeaders(req: Request, res: Response, next: NextFunction) {
  for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
  if (req.path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
  next();
}
