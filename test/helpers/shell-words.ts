// The project's POSIX shell word splitter, for reading compilation databases in tests.
export { shellWords } from '../../src/util/shell-words.js';
