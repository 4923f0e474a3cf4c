// The block shape shared by the crash test and its child process (both must generate identical blocks).
import type { WriteSetShape } from "../testkit.js";

export const CRASH_SHAPE: WriteSetShape = { seed: 1234, keySpace: 2000, writesPerBlock: 300, deleteOneIn: 6 };
