import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { BlobStore } from '../../../shared/blobs/blob-store.port';
import { Clock } from '../../../shared/clock';
import { CommandRunner } from '../../../shared/event-sourcing/command-runner';
import { fold } from '../../../shared/event-sourcing/decider';
import { CommandContext } from '../../../shared/event-sourcing/event';
import { instanceStream } from '../../../shared/event-sourcing/streams';
import { instanceDecider } from '../domain/instance.decider';
import { InstanceEvent } from '../domain/instance.events';

export class AttachBlob {
  constructor(
    readonly instanceId: string,
    readonly name: string,
    readonly content: Buffer,
    readonly contentType: string,
    readonly ctx: CommandContext,
  ) {}
}

@CommandHandler(AttachBlob)
export class AttachBlobHandler implements ICommandHandler<AttachBlob> {
  constructor(
    private readonly commands: CommandRunner,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
  ) {}

  async execute(c: AttachBlob) {
    const stream = instanceStream(c.instanceId);
    const now = this.clock.now().toISOString();
    const probe = { type: 'AttachBlob' as const, instanceId: c.instanceId, name: c.name, size: 0, contentType: c.contentType, sha256: '', now };
    // Refuse (404/409) before any bytes are written; the decider throws for unknown or deleted instances.
    instanceDecider.decide(probe, fold(instanceDecider, (await this.commands.events.readStream(stream)) as unknown as InstanceEvent[]));
    const info = await this.blobs.put(c.instanceId, c.name, c.content, c.contentType);
    await this.commands.run(stream, instanceDecider, { ...probe, size: info.size, sha256: info.sha256 }, c.ctx);
    return info;
  }
}
