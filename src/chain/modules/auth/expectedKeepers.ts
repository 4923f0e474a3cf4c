// What auth needs from other modules: nothing. It sits at the bottom of the keeper graph (bank, compute and the
// ante handler depend on it, never the reverse).
export type AuthExpectedKeepers = Record<string, never>;
