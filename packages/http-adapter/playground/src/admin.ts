import { type JudgekitClient, JudgekitClientError, type WorkersResponse } from '@judgekit/client';
import { el, verdictLabel } from './format.js';

/** The admin view: queue depth, workers and recent submissions of every tenant, refreshed every 2 s while shown. */
export class AdminView {
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;

  constructor(readonly client: () => JudgekitClient) {}

  show(): void {
    void this.refresh();
    this.#timer ??= setInterval(() => void this.refresh(), 2000);
  }

  hide(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async refresh(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const error = document.getElementById('admin-error') as HTMLElement;
    try {
      const client = this.client();
      const [stats, page] = await Promise.all([
        client.workers(),
        client.list({ tenant: '*', limit: 20 }).catch(() => client.list({ limit: 20 })),
      ]);
      error.hidden = true;
      this.#stats(stats);
      this.#recent(page.submissions);
    } catch (e) {
      error.hidden = false;
      error.textContent =
        e instanceof JudgekitClientError && (e.status === 401 || e.status === 403)
          ? `${e.message} Put an admin key in the API key field.`
          : `Could not load: ${(e as Error).message}`;
    } finally {
      this.#busy = false;
    }
  }

  #stats(stats: WorkersResponse): void {
    const set = (id: string, v: string) => {
      (document.getElementById(id) as HTMLElement).textContent = v;
    };
    set('stat-queued', String(stats.waiting));
    set('stat-running', String(stats.running));
    set('stat-workers', String(stats.workersAlive));
    set('stat-runner', [...new Set(stats.workers.map((w) => w.runner))].join(', ') || '–');
    (document.getElementById('workers') as HTMLElement).replaceChildren(
      ...stats.workers.map((w) =>
        el(
          'tr',
          { 'data-testid': 'worker-row' },
          el('td', {}, w.id),
          el('td', {}, w.runner),
          el('td', {}, w.problem ? `${w.state}: ${w.problem}` : w.state),
          el('td', {}, String(w.concurrency)),
          el('td', {}, String(w.running)),
          el('td', {}, new Date(w.lastSeen).toLocaleTimeString()),
        ),
      ),
    );
  }

  #recent(submissions: Awaited<ReturnType<JudgekitClient['list']>>['submissions']): void {
    (document.getElementById('recent') as HTMLElement).replaceChildren(
      ...submissions.map((s) => {
        const link = el('a', { href: `?submission=${encodeURIComponent(s.id)}` }, s.id.slice(0, 13));
        return el(
          'tr',
          { 'data-testid': 'recent-row' },
          el('td', {}, link),
          el('td', {}, s.language.id),
          el('td', {}, s.status),
          el('td', {}, s.verdict ? el('span', { class: `badge ${s.verdict}` }, verdictLabel(s.verdict)) : ''),
          el('td', {}, `${s.summary.passed}/${s.summary.total}`),
          el('td', {}, new Date(s.createdAt).toLocaleTimeString()),
        );
      }),
    );
  }
}
