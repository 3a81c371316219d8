import { Injectable } from '@nestjs/common';
import { ProjectionRunner } from '../projections/projection-runner';
import { Decider } from './decider';
import { CommandContext, DomainEvent } from './event';
import { EventStore } from './event-store.port';
import { handleCommand, HandledCommand } from './handle-command';

/**
 * Runs one command against one stream and answers only once the read models reflect it
 * (read-your-writes, contract §4).
 */
@Injectable()
export class CommandRunner {
  constructor(
    readonly events: EventStore,
    readonly projections: ProjectionRunner,
  ) {}

  async run<C, S, E extends DomainEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    command: C,
    ctx: CommandContext,
  ): Promise<HandledCommand<S>> {
    const result = await handleCommand(this.events, streamId, decider, command, ctx);
    await this.projections.waitFor(result.position);
    return result;
  }
}
