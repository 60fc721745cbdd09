// Compiles Solidity with the solc-js of this repository's node_modules (no native solc needed).
// Reads solc standard JSON input on stdin and writes solc standard JSON output on stdout.
// Used by the Java test support (dev.tandem.testsupport.evm.SolidityCompiler).
import solc from 'solc';

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  process.stdout.write(solc.compile(input));
});
