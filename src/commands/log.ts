import { Services } from '../services';
import { registerCommand } from './register';

export function register(services: Services): void {
  registerCommand(services, 'flinkCheckpoints.showLog', () => services.log.show(true));
}
