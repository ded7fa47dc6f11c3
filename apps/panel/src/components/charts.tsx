import { useId } from 'react';

export interface Bar {
  key: string;
  /** Under the bar (a short month name). */
  label: string;
  /** In the bar's own unit (cents, minutes): only compared with the others. */
  value: number;
  /** The value in words, for the tooltip and the text alternative. */
  valueText: string;
  /** Parts of the bar, bottom up (receivables by age); their values sum to `value`. */
  parts?: Array<{ key: string; value: number; tone: number }>;
}

const WIDTH = 640;
const HEIGHT = 220;
const AXIS = 24;
const TOP = 22;

/**
 * A bar chart drawn as SVG (no chart library to load): an image with a text alternative that
 * says every figure, and the figures themselves are in a table beside it for whoever reads them.
 * Bars are told apart by position and label; parts (by colour) also have their figures in the table.
 */
export function BarChart({ title, bars, legend, scale: scaleText }: { title: string; bars: Bar[]; legend?: Array<{ tone: number; label: string }>; /** The top of the scale in words (the tallest bar's value). */ scale?: (max: number) => string }) {
  const id = useId();
  const max = Math.max(1, ...bars.map((bar) => Math.abs(bar.value)));
  const slot = (WIDTH - 8) / Math.max(bars.length, 1);
  const barWidth = Math.max(6, Math.min(48, slot * 0.6));
  const scale = (value: number) => (Math.max(0, value) / max) * (HEIGHT - AXIS - TOP);
  const description = bars.map((bar) => `${bar.label}: ${bar.valueText}`).join('; ');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        <line x1="0" x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} className="chart-axis" />
        {scaleText && bars.some((bar) => bar.value > 0) ? (
          <g aria-hidden="true">
            <line x1="0" x2={WIDTH} y1={TOP} y2={TOP} className="chart-grid" />
            <text x="2" y={TOP - 6} className="chart-label">
              {scaleText(max)}
            </text>
          </g>
        ) : null}
        {bars.map((bar, index) => {
          const x = 4 + index * slot + (slot - barWidth) / 2;
          let bottom = HEIGHT - AXIS;
          const parts = bar.parts ?? [{ key: 'all', value: bar.value, tone: 0 }];
          return (
            <g key={bar.key}>
              <title>{`${bar.label}: ${bar.valueText}`}</title>
              {parts.map((part) => {
                const height = scale(part.value);
                bottom -= height;
                return height > 0 ? (
                  <rect key={part.key} x={x} y={bottom} width={barWidth} height={height} className={`chart-tone-${part.tone}`} />
                ) : null;
              })}
              <text x={x + barWidth / 2} y={HEIGHT - 7} textAnchor="middle" className="chart-label">
                {bar.label}
              </text>
            </g>
          );
        })}
      </svg>
      {legend ? (
        <figcaption className="chart-legend">
          {legend.map((item) => (
            <span key={item.tone}>
              <span className={`chart-swatch chart-tone-${item.tone}`} aria-hidden="true" /> {item.label}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}
