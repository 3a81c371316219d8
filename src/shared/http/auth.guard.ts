import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
import { ApiKey, Role } from '../../config/app.config';
import { AppSettings } from '../settings';

const RANK: Record<Role, number> = { reader: 1, operator: 2, admin: 3 };
export const ROLE_KEY = 'requiredRole';
/** The least role a route needs; routes without it need `reader`. */
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);
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

/**
 * API keys from `API_KEYS`, sent as `Authorization: Bearer <key>` or `X-API-Key`. With no keys
 * configured every caller is `anonymous` with the admin role (local use).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly keys: Map<string, ApiKey>;
  constructor(
    private readonly reflector: Reflector,
    settings: AppSettings,
  ) {
    this.keys = new Map(settings.config.apiKeys.map((k) => [k.key, k]));
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>('public', [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    if (this.keys.size === 0) {
      req.principal = { id: 'anonymous', role: 'admin' };
      return true;
    }
    const header = req.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : (req.headers['x-api-key'] as string | undefined);
    const key = presented ? this.keys.get(presented) : undefined;
    if (!key) throw new UnauthorizedException(presented ? 'API key is not valid' : 'API key required (Authorization: Bearer <key>)');
    const needed = this.reflector.getAllAndOverride<Role>(ROLE_KEY, [ctx.getHandler(), ctx.getClass()]) ?? 'reader';
    if (RANK[key.role] < RANK[needed]) throw new ForbiddenException(`this action needs the ${needed} role`);
    req.principal = { id: key.principal, role: key.role };
    return true;
  }
}
