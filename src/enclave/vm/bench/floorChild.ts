// Child process of the floor measurement (./floorReport.ts): times ./cryptoFloor.ts's groups in a fresh
// isolate (small heap, no other variant's garbage or JIT state) and prints the result as JSON. Bench-only.
import { measureFloor, type TransferShape } from "./cryptoFloor.js";

const shape = JSON.parse(process.argv[2] ?? "{}") as TransferShape;
process.stdout.write(JSON.stringify(measureFloor(shape, process.argv[3] === "--quick")));
