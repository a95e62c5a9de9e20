import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LEVEL_COLOURS, LEVELS } from '../../src/contracts/index.js';
import { App } from './app/App.js';
import './styles.css';

// One level palette for the report and the dashboard (src/contracts); the stylesheet reads it as
// --none, --monitor, --review and --act.
for (const l of LEVELS) document.documentElement.style.setProperty(`--${l}`, LEVEL_COLOURS[l]);

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
