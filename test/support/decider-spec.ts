import { Decider } from '../../src/shared/event-sourcing/decider';
import { DomainEvent } from '../../src/shared/event-sourcing/event';

/**
 * Given events, when a command, then events (or an error). One chain per `it`:
 *   spec(decider).given([...]).when(cmd).then([...])  |  .thenThrows(ErrorClass, /message/)
 */
export function spec<C, S, E extends DomainEvent>(decider: Decider<C, S, E>) {
  return {
    given(events: E[]) {
      const state = events.reduce(decider.evolve, decider.initialState);
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: E[]) {
              expect(run()).toEqual(expected);
            },
            thenNothing() {
              expect(run()).toEqual([]);
            },
            thenThrows(errorClass: new (...args: never[]) => Error, message?: RegExp) {
              expect(run).toThrow(errorClass);
              if (message) expect(run).toThrow(message);
            },
          };
        },
      };
    },
  };
}
