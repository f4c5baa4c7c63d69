/** The fixed clock of every conformance case: 2026-01-01T00:00:00Z, in ms. Time moves only by argument. */
export const NOW = 1_767_225_600_000
