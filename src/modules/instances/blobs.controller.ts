import { Controller, Get, Headers, Param, Put, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Request, Response } from 'express';
import { BlobStore } from '../../shared/blobs/blob-store.port';
import { CommandContext } from '../../shared/event-sourcing/event';
import { NotFoundError, ValidationError } from '../../shared/event-sourcing/errors';
import { RequireRole } from '../../shared/http/auth.guard';
import { Ctx } from '../../shared/http/request-context';
import { InstanceReadModel } from '../../shared/read-models/read-model.ports';
import { AttachBlob } from './commands/attach-blob.handler';

const BLOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Blobs of a soft-deleted instance answer 404 like an unknown one. */
@Controller('api/workflow-instances/:id/blobs')
export class BlobsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly instances: InstanceReadModel,
    private readonly blobs: BlobStore,
  ) {}

  @Put(':name')
  @RequireRole('operator')
  async put(
    @Param('id') id: string,
    @Param('name') name: string,
    @Req() req: Request,
    @Headers('content-type') contentType: string | undefined,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!BLOB_NAME.test(name)) throw new ValidationError("name must be 1-200 characters of letters, digits, '.', '_' or '-'");
    // The raw parser gives a Buffer for every blob PUT (an empty one for an empty body).
    if (!Buffer.isBuffer(req.body)) throw new ValidationError('blob body could not be read as bytes');
    const content = req.body;
    const info = await this.commands.execute(new AttachBlob(id, name, content, contentType ?? 'application/octet-stream', ctx));
    res.status(201);
    return info;
  }

  @Get()
  async list(@Param('id') id: string) {
    const doc = await this.instances.get(id);
    if (!doc || doc.isDeleted) throw new NotFoundError(`workflow instance ${id} not found`);
    return { items: doc.blobs.map(({ name, size, contentType, sha256 }) => ({ name, size, contentType, sha256 })) };
  }

  @Get(':name')
  async get(@Param('id') id: string, @Param('name') name: string, @Res() res: Response) {
    const doc = await this.instances.get(id);
    const entry = doc && !doc.isDeleted ? doc.blobs.find((b) => b.name === name) : undefined;
    const blob = entry ? await this.blobs.get(id, name) : null;
    if (!blob) throw new NotFoundError(`blob ${name} of workflow instance ${id} not found`);
    res.status(200).setHeader('content-type', blob.info.contentType).setHeader('content-length', String(blob.info.size));
    res.setHeader('x-content-sha256', blob.info.sha256);
    blob.content.pipe(res);
  }
}
