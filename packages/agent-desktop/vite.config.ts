import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The desktop is served by the control server (DESKTOP_DIR) from this build's dist/.
export default defineConfig({
  plugins: [react()],
  // @pause-recording/core from its sources (tsconfig.base.json's paths), not its compiled dist/.
  resolve: { tsconfigPaths: true },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    // `npm run dev -w @pause-recording/agent-desktop`: talk to a server started with `npm start`.
    proxy: { '/api': process.env['DESKTOP_API_URL'] ?? 'http://127.0.0.1:4400' },
  },
});
