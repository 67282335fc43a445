export { SupervisorView, type SupervisorViewProps } from './SupervisorView.tsx';
