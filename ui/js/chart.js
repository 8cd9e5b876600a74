// The live speed chart, in plain SVG: rows and requests per minute against the pace the run
// keeps under Genesys's rate limit, with rate-limit waits and retries marked.

import { svg } from './dom.js';
import { layoutChart } from './logic/rate.js';
import { formatCount } from './logic/format.js';

const WIDTH = 600;
const HEIGHT = 170;
const LEFT = 44;

export class SpeedChart {
  constructor(host) {
    this.root = svg('svg', {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img',
      'aria-label': 'Rows and requests per minute against the pace kept under the rate limit',
    });
    this.plot = svg('g', { transform: `translate(${LEFT} 0)` });
    this.top = svg('text', { x: 2, y: 12, class: 'axis-label' }, '');
    this.bottom = svg('text', { x: 2, y: HEIGHT - 4, class: 'axis-label' }, '0');
    this.root.append(this.top, this.bottom, this.plot);
    host.replaceChildren(this.root);
    this.pending = false;
  }

  /** Redraw from `tracker` (at most once a frame). */
  draw(tracker) {
    this.tracker = tracker;
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const chart = layoutChart(this.tracker, { width: WIDTH - LEFT, height: HEIGHT, padding: 6 });
    this.top.textContent = `${formatCount(chart.yMax)}/min`;
    this.plot.replaceChildren(
      svg('line', { class: 'axis', x1: 0, y1: HEIGHT - 6, x2: WIDTH - LEFT, y2: HEIGHT - 6 }),
      svg('line', { class: 'axis', x1: 0, y1: 6, x2: 0, y2: HEIGHT - 6 }),
      ...chart.markers.map((m) => svg('line', {
        class: m.kind === 'retry' ? 'marker-retry' : 'marker-wait',
        x1: m.x, x2: m.x, y1: 6, y2: HEIGHT - 6,
      })),
      svg('path', { class: 'allowance', d: chart.allowancePath || 'M0 0' }),
      svg('path', { class: 'requests', d: chart.requestsPath || 'M0 0' }),
      svg('path', { class: 'rows', d: chart.rowsPath || 'M0 0' }),
    );
  }
}
