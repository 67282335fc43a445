export { TaskList, type TaskListProps } from './TaskList.tsx';
export { CallCanvas, type CallCanvasProps } from './CallCanvas.tsx';
