import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { Response } from 'express';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Public } from '../../shared/http/auth.guard';

/** dist/modules/web and src/modules/web both sit three levels below the repository root. */
export const WEB_DIR = join(__dirname, '..', '..', '..', 'web');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Servable files of `web/` by name; none when the directory is missing (the API still starts). */
function listWebFiles(): Map<string, string> {
  if (!existsSync(WEB_DIR)) return new Map();
  return new Map(
    readdirSync(WEB_DIR, { withFileTypes: true })
      .filter((e) => e.isFile() && CONTENT_TYPES[extname(e.name)])
      .map((e) => [e.name, CONTENT_TYPES[extname(e.name)]] as const),
  );
}

/**
 * The operator page: static files from `web/`, public so it loads before the user has pasted an
 * API key (the API calls it makes are authenticated). Only names listed in `web/` at start-up are
 * served, so a request can never reach outside it; contents are read per request (no-cache).
 * Security headers (a same-origin content security policy, nosniff, no framing) come from
 * `securityHeaders` for every answer.
 */
@Controller()
@Public()
export class WebController {
  private readonly files = listWebFiles();

  @Get()
  index(@Res() res: Response) {
    this.send(res, 'index.html');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response) {
    if (file === 'index.html') throw new NotFoundException(`asset ${file} not found`);
    this.send(res, file);
  }

  private send(res: Response, file: string) {
    const type = this.files.get(file);
    if (!type) throw new NotFoundException(`asset ${file} not found`);
    res.status(200).set({ 'content-type': type, 'cache-control': 'no-cache' });
    res.send(readFileSync(join(WEB_DIR, file)));
  }
}
