/** Durations (`500ms`, `15s`, `5m`, `1h`, bare seconds) and sizes (`10mb`, `512kb`, bytes). */

const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const SIZE_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }

export function durationMs (value: string | number): number {
  if (typeof value === 'number') return Math.round(value * 1000)
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value)
  if (match === null) throw new RangeError(`not a duration: ${JSON.stringify(value)}`)
  return Math.round(Number(match[1]) * DURATION_MS[match[2] ?? 's']!)
}

export function sizeBytes (value: string | number): number {
  if (typeof value === 'number') return value
  const match = /^\s*(\d+)\s*([kmg]?b)?\s*$/i.exec(value)
  if (match === null) throw new RangeError(`not a size: ${JSON.stringify(value)}`)
  return Number(match[1]) * SIZE_BYTES[(match[2] ?? 'b').toLowerCase()]!
}
