import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Request, Response } from 'express';
import { Role } from '../../config/app.config';
import { AppSettings } from '../settings';
import { RateLimiter } from './rate-limiter';

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
export const ROLE_KEY = 'requiredRole';
/** The least role a route needs; routes without it need `viewer`. */
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);
/** Answered without a key: `/health` and the web page's static files (which hold no data). */
export const Public = () => SetMetadata('public', true);

export interface Principal {
  id: string;
  role: Role;
}

declare module 'express' {
  interface Request {
    principal?: Principal;
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * `Authorization: Bearer <key>` (or `X-API-Key`) against `API_KEYS`. Presented keys are hashed and
 * compared with every configured key in constant time, so neither the match nor its position leaks
 * through timing; keys are never logged. Without keys (loopback only, enforced at start-up) every
 * caller is `anonymous` with the admin role. Then the caller's rate limit is taken.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly keys: { digest: Buffer; principal: Principal }[];
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    settings: AppSettings,
  ) {
    this.keys = settings.config.apiKeys.map((k) => ({ digest: digest(k.key), principal: { id: k.name, role: k.role } }));
    this.limiter = new RateLimiter(settings.config.limits.rateLimitPerMinute);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>('public', [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    let principal: Principal;
    try {
      principal = this.keys.length === 0 ? { id: 'anonymous', role: 'admin' as const } : this.identify(req);
    } catch (e) {
      // Guessing keys costs the caller's address its rate limit too.
      this.limiter.take(`ip:${req.ip}`, res);
      throw e;
    }
    const needed = this.reflector.getAllAndOverride<Role>(ROLE_KEY, [ctx.getHandler(), ctx.getClass()]) ?? 'viewer';
    if (RANK[principal.role] < RANK[needed]) throw new ForbiddenException(`this action needs the ${needed} role; key "${principal.id}" has ${principal.role}`);
    this.limiter.take(this.keys.length === 0 ? `ip:${req.ip}` : `key:${principal.id}`, res);
    req.principal = principal;
    return true;
  }

  private identify(req: Request): Principal {
    const header = req.headers.authorization;
    const presented = header !== undefined ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : (req.headers['x-api-key'] as string | undefined);
    if (!presented) {
      throw new UnauthorizedException(header !== undefined ? 'Authorization must be "Bearer <key>"' : 'API key required (Authorization: Bearer <key>)');
    }
    const d = digest(presented);
    let found: Principal | undefined;
    for (const k of this.keys) if (timingSafeEqual(k.digest, d) && !found) found = k.principal;
    if (!found) throw new UnauthorizedException('API key is not valid');
    return found;
  }
}
