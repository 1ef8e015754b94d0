/** The rule registry: every rule pid1 lint runs, in report order. */
import type { Rule } from './contract.js';
import cmdIgnored from './cmd-ignored.js';
import composeLegacyV1 from './compose-legacy-v1.js';
import composeShellOperators from './compose-shell-operators.js';
import execFormCommandLine from './exec-form-command-line.js';
import execFormNoShebang from './exec-form-no-shebang.js';
import invalidStopSignal from './invalid-stop-signal.js';
import k8sImageDecides from './k8s-image-decides.js';
import k8sPrestopExceedsGrace from './k8s-prestop-exceeds-grace.js';
import k8sPrestopMissingBinary from './k8s-prestop-missing-binary.js';
import k8sSharedPidNamespace from './k8s-shared-pid-namespace.js';
import k8sStopSignalNeedsOs from './k8s-stop-signal-needs-os.js';
import malformedJsonForm from './malformed-json-form.js';
import programDecides from './program-decides.js';
import serviceNoHandler from './service-no-handler.js';
import noShell from './no-shell.js';
import onbuildLaunch from './onbuild-launch.js';
import packageManagerPid1 from './package-manager-pid1.js';
import scriptNoExec from './script-no-exec.js';
import serverStopSignal from './server-stop-signal.js';
import shellPid1 from './shell-pid1.js';
import shellUnderInit from './shell-under-init.js';
import signalTrap from './signal-trap.js';
import stopNotGraceful from './stop-not-graceful.js';
import templateFile from './template-file.js';
import unknownShell from './unknown-shell.js';

export const RULES: readonly Rule[] = [
  shellPid1,
  shellUnderInit,
  scriptNoExec,
  signalTrap,
  packageManagerPid1,
  unknownShell,
  noShell,
  serverStopSignal,
  invalidStopSignal,
  malformedJsonForm,
  execFormCommandLine,
  execFormNoShebang,
  serviceNoHandler,
  programDecides,
  stopNotGraceful,
  cmdIgnored,
  onbuildLaunch,
  templateFile,
  // compose and Kubernetes
  k8sSharedPidNamespace,
  composeShellOperators,
  composeLegacyV1,
  k8sPrestopMissingBinary,
  k8sPrestopExceedsGrace,
  k8sStopSignalNeedsOs,
  k8sImageDecides,
];

/** Ids rules had before: they still work in config and `# pid1-ignore` comments. */
const RULE_ALIASES: Readonly<Record<string, string>> = { 'node-pid1': 'program-decides' };

/** The current id of a rule id as written (an old id maps to its new one). */
export function canonicalRuleId(id: string): string {
  return RULE_ALIASES[id] ?? id;
}
