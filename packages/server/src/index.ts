export { startServer, type RunningServer, type StartOptions } from './server.ts';
export { loadServerConfig, type ServerConfig, type Env } from './config/server-config.ts';
export { createLogger } from './logging/logger.ts';
export { hashPassword } from './auth/passwords.ts';
export { UserDirectory } from './auth/user-directory.ts';
export { TwilioProvider } from './provider/twilio-provider.ts';
