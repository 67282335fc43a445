import type { Strings } from './en-US.ts';
import { esMX } from './es-MX.ts';

// Spain shares most wording with Mexico; only the words that differ in everyday use are overridden.
export const esES: Strings = {
  ...esMX,
  appTitle: 'Escritorio del agente',
  signedInAs: 'Sesión iniciada como {who}',
  noTasks: 'No hay tareas. A la espera de llamadas…',
  placeCall: 'Realizar una llamada de prueba',
  taskStatus_reserved: 'Sonando',
  caller: 'Llamante',
  colCaller: 'Llamante',
  selectTask: 'Selecciona una tarea para ver la llamada.',
  pausedFor: 'En pausa durante {time}',
  partiallyPausedFor: 'Pausa parcial durante {time}: todavía graba',
  autoResumeIn: 'Se reanudará automáticamente en {time}',
  notifReminder: 'La grabación lleva {time} en pausa. Recuerda reanudarla.',
  notifAlarm: 'Alarma: {count} grabación(es) siguen grabando aunque la llamada debería estar en pausa. Vuelve a pulsar Pausar o avisa a tu supervisor.',
  pressKey: 'Pulsa la tecla nueva…',
  colThrottle: 'Intervalo mínimo (ms)',
};
