/**
 * Test support: the real @twilio/flex-ui driven offline. `Manager.create()` always goes to Twilio,
 * so the Manager is built from its public constructor over a real Flex store and installed as
 * the instance `getInstance()` answers (two private statics, pinned to Flex 2.17: checked below).
 */
import * as Flex from '@twilio/flex-ui';
import type { ReactElement } from 'react';
import { render, unmountComponentAtNode } from 'react-dom';
import { act } from 'react-dom/test-utils';
import { Provider } from 'react-redux';
import { combineReducers, compose, createStore, type Reducer, type StoreEnhancer } from 'redux';
import type { CustomData } from '../../src/features/pause-recording/types/ServiceConfiguration.ts';

export interface OfflineFlex {
  readonly manager: Flex.Manager;
  /** Puts a task into Flex's worker state and selects it (as TaskRouter and a click would). */
  showTask(task: Flex.ITask): Promise<void>;
  /** Renders inside the providers Flex's own view gives its components. */
  render(node: ReactElement): Promise<HTMLElement>;
  cleanup(): void;
}

interface ManagerStatics {
  _instance?: Flex.Manager;
  _proxiedInstance?: Flex.Manager;
}

const mounted: HTMLElement[] = [];

export function offlineFlex(customData: CustomData, user: { identity: string; token: string; language?: string }): OfflineFlex {
  const reducer = combineReducers({ flex: Flex.FlexReducer }) as Reducer;
  const initial = {
    flex: {
      session: {
        ssoTokenPayload: {
          identity: user.identity,
          roles: ['agent'],
          token: user.token,
          expiration: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: [],
        },
      },
    },
  };
  const store = createStore(reducer, initial, compose(Flex.flexStoreEnhancer as StoreEnhancer));
  const manager = new Flex.Manager({ custom_data: customData } as Flex.Config, store as ConstructorParameters<typeof Flex.Manager>[1]);
  const base: ManagerStatics = Object.getPrototypeOf(Flex.Manager);
  base._instance = manager;
  (Flex.Manager as unknown as ManagerStatics)._proxiedInstance = manager;
  if (Flex.Manager.getInstance() !== manager) throw new Error('Flex moved the Manager singleton: re-measure offlineFlex for this Flex version');
  // The signed-in worker (TaskRouter's Worker is undefined offline and has no setter).
  Object.defineProperty(manager, 'workerClient', {
    configurable: true,
    value: { sid: 'WK00000000000000000000000000000001', attributes: user.language ? { language: user.language } : {} },
  });
  return {
    manager,
    async showTask(task) {
      const state = manager.store.getState();
      state.flex.worker.tasks.set(task.sid, task);
      await Flex.Actions.invokeAction('SelectTask', { sid: task.sid });
    },
    async render(node) {
      const container = document.createElement('div');
      document.body.appendChild(container);
      mounted.push(container);
      await act(async () => {
        render(
          <Provider store={store}>
            <Flex.ContextProvider manager={manager}>{node}</Flex.ContextProvider>
          </Provider>,
          container,
        );
      });
      return container;
    },
    cleanup() {
      for (const c of mounted.splice(0)) {
        unmountComponentAtNode(c);
        c.remove();
      }
    },
  };
}

/** A Flex voice task as TaskRouter hands it over: `status` accepted means the call is live. */
export function voiceTask(o: {
  reservationSid: string;
  taskSid: string;
  callSid: string;
  conferenceSid: string | null;
  workerCallSid?: string | null;
  status?: Flex.ITask['status'];
  internal?: boolean;
}): Flex.ITask {
  const attributes = {
    call_sid: o.callSid,
    from: '+15550100',
    to: '+15550199',
    direction: 'inbound',
    client_call: o.internal === true,
    conference: { sid: o.conferenceSid },
  };
  const task = {
    sid: o.reservationSid,
    taskSid: o.taskSid,
    status: o.status ?? 'accepted',
    taskStatus: 'assigned',
    taskChannelUniqueName: 'voice',
    channelType: 'voice',
    queueName: 'Everyone',
    attributes,
    formattedAttributes: {},
    dateCreated: new Date(),
    dateUpdated: new Date(),
    age: 0,
    conference:
      o.conferenceSid === null
        ? undefined
        : {
            conferenceSid: o.conferenceSid,
            participants: [
              { participantType: 'customer', callSid: o.callSid, status: 'joined' },
              { participantType: 'worker', isCurrentWorker: true, callSid: o.workerCallSid ?? undefined, status: 'joined' },
            ],
          },
  };
  return task as unknown as Flex.ITask;
}

/** Presses Ctrl+Shift+<digit> as a browser does: with Shift held, `key` is the shifted symbol. */
export async function pressCtrlShiftDigit(digit: string): Promise<void> {
  const shifted: Record<string, string> = { '2': '@', '3': '#', '4': '$', '7': '&' };
  await act(async () => {
    window.dispatchEvent(new KeyboardEvent('keydown', { key: shifted[digit] ?? digit, code: `Digit${digit}`, ctrlKey: true, shiftKey: true, bubbles: true }));
  });
}
