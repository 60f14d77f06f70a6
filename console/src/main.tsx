import { render } from 'preact';
import './styles.css';
import { initI18n } from './i18n/index.ts';
import { App } from './shell/app.tsx';

/** The console's entry: languages first (every screen speaks), then the shell. */
async function start(): Promise<void> {
  await initI18n();
  const root = document.getElementById('app');
  if (root) render(<App />, root);
}

void start();
