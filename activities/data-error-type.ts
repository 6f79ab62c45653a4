// Moved to the shared vocabulary; re-exported until the branches that import it from here are merged.
export { DATA_ERROR } from '../policy/vocabulary.js';
