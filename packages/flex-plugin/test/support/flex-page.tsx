/**
 * The e2e test page (bundled by e2e/flex-plugin.spec.ts for Chromium): the real Flex UI library
 * with an offline Manager, the plugin's BUILT bundle loaded by Flex's own plugin loader from a
 * <script uuid>, and the call canvas of one live task from the control server.
 */
import './handlebars-global.ts';
import * as Flex from '@twilio/flex-ui';
import React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactRedux from 'react-redux';
import * as Redux from 'redux';

export interface FlexE2eConfig {
  /** `ui_attributes.custom_data` for the plugin. */
  readonly customData: unknown;
  readonly token: string;
  readonly identity: string;
  readonly pluginUrl: string;
  readonly task: { readonly taskSid: string; readonly callSid: string; readonly conferenceSid: string };
}

declare global {
  interface Window {
    __FLEX_E2E__?: FlexE2eConfig;
    __FLEX_E2E_READY__?: boolean;
  }
}

interface ManagerStatics {
  _instance?: Flex.Manager;
  _proxiedInstance?: Flex.Manager;
}

async function main(cfg: FlexE2eConfig): Promise<void> {
  // What Flex's page gives its plugins.
  Object.assign(window, { React, ReactDOM, Redux, ReactRedux, Twilio: { Flex } });
  const reducer = Redux.combineReducers({ flex: Flex.FlexReducer }) as Redux.Reducer;
  const initial = {
    flex: {
      session: {
        ssoTokenPayload: {
          identity: cfg.identity,
          roles: ['agent'],
          token: cfg.token,
          expiration: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: [],
        },
      },
    },
  };
  const store = Redux.createStore(reducer, initial, Redux.compose(Flex.flexStoreEnhancer as Redux.StoreEnhancer));
  const manager = new Flex.Manager({ custom_data: cfg.customData } as Flex.Config, store as ConstructorParameters<typeof Flex.Manager>[1]);
  const base: ManagerStatics = Object.getPrototypeOf(Flex.Manager);
  base._instance = manager;
  (Flex.Manager as unknown as ManagerStatics)._proxiedInstance = manager;
  if (Flex.Manager.getInstance() !== manager) throw new Error('Flex moved the Manager singleton');
  Object.defineProperty(manager, 'workerClient', { configurable: true, value: { sid: 'WK00000000000000000000000000000001', attributes: {} } });
  Flex.KeyboardShortcutManager.init(Flex.defaultKeyboardShortcuts);

  // Flex's loader: the plugin definition, then the plugin's script tagged with its uuid.
  Flex.Plugins.setup(Flex, manager);
  const uuid = 'c7a5e0b4-0000-4000-8000-0000000000e2';
  Flex.Plugins.storePluginDefinition([
    {
      name: 'plugin-pause-recording',
      version: '0.1.0',
      src: cfg.pluginUrl,
      flexVersion: '2.17.1',
      phase: 0,
      uuid,
      state: 'NotStarted' as Parameters<typeof Flex.Plugins.storePluginDefinition>[0][number]['state'],
    },
  ]);
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.setAttribute('uuid', uuid);
    script.src = cfg.pluginUrl;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${cfg.pluginUrl}`));
    document.head.appendChild(script);
  });
  for (let i = 0; Flex.KeyboardShortcutManager.keyboardShortcuts['3'] === undefined; i++) {
    if (i > 200) throw new Error('the plugin did not initialise');
    await new Promise((r) => setTimeout(r, 25));
  }

  const attributes = { call_sid: cfg.task.callSid, from: '+15550100', direction: 'inbound', client_call: false, conference: { sid: cfg.task.conferenceSid } };
  const task = {
    sid: 'WR' + cfg.task.taskSid.slice(2),
    taskSid: cfg.task.taskSid,
    status: 'accepted',
    taskStatus: 'assigned',
    taskChannelUniqueName: 'voice',
    channelType: 'voice',
    queueName: 'Everyone',
    attributes,
    formattedAttributes: {},
    dateCreated: new Date(),
    dateUpdated: new Date(),
    age: 0,
    conference: { conferenceSid: cfg.task.conferenceSid, participants: [] },
  } as unknown as Flex.ITask;
  store.getState().flex.worker.tasks.set(task.sid, task);
  await Flex.Actions.invokeAction('SelectTask', { sid: task.sid });

  const root = document.getElementById('root');
  ReactDOM.render(
    <ReactRedux.Provider store={store}>
      <Flex.ContextProvider manager={manager}>
        <div style={{ width: 420, fontFamily: 'sans-serif', border: '1px solid #ccc', padding: 12 }}>
          <Flex.TaskContext.Provider value={{ task, channelDefinition: Flex.TaskChannels.getForTask(task) }}>
            <Flex.TaskCanvasHeader task={task} />
          </Flex.TaskContext.Provider>
          <Flex.CallCanvasActions task={task} />
          <Flex.NotificationBar />
        </div>
      </Flex.ContextProvider>
    </ReactRedux.Provider>,
    root,
  );
  window.__FLEX_E2E_READY__ = true;
}

const cfg = window.__FLEX_E2E__;
if (cfg === undefined) throw new Error('window.__FLEX_E2E__ is missing');
main(cfg).catch((e: unknown) => {
  document.body.setAttribute('data-error', e instanceof Error ? `${e.message} @ ${(e.stack ?? '').split('\n').slice(1, 4).join(' | ')}` : String(e));
});
