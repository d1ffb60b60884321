import { LabIcon } from '@jupyterlab/ui-components';

/** A pillar-and-check mark; fills use JupyterLab's icon classes so both themes recolor it. */
const SIDEBAR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
<g class="jp-icon3" fill="#616161">
<path d="M3 20h18v2H3zM4 8h3v11H4zM10.5 8h3v11h-3zM17 8h3v11h-3zM12 1 2 6v1h20V6z"/>
</g></svg>`;

export const wellmlIcon = new LabIcon({ name: 'jupyter-wellml:sidebar', svgstr: SIDEBAR_SVG });
