import rule from '../../src/rules/signal-trap.js';
import { ruleTester } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    // gbolo's powerdns entrypoint: the trap runs the server's own `pdns_control quit`, then polls /proc until it is gone
    // (fresh40's replay: busybox ash as PID 1 ran the trap on SIGTERM, waited for the service and exited 0)
    {
      name: "a trap that tells the server's control program to quit and polls /proc until the server is gone",
      script:
        '#!/bin/sh\npdns_server --daemon=no --write-pid=yes &\nPID_FILE=/tmp/pdns.pid\nshutdown_pdns() {\n  local pid=$(cat ${PID_FILE})\n  pdns_control quit\n  wait_for_pid_to_exit ${pid}\n  exit 0\n}\nwait_for_pid_to_exit() {\n  while [ -d /proc/${1} ]; do\n    sleep 1\n  done\n}\ntrap "shutdown_pdns" SIGINT SIGTERM\nwait\n',
    },
    {
      name: 'a trap that does the shutdown itself in front of a keep-alive `sleep infinity & wait` (firecat53 wireguard-client)',
      script: '#!/bin/sh\nwg-quick up wg0\nshutdown() {\n  wg-quick down wg0\n  exit 0\n}\ntrap shutdown TERM INT QUIT\nsleep infinity &\nwait $!\n',
    },
    { name: 'a double-quoted trap (expanded when set) that kills and waits', script: '#!/bin/sh\nsvc & child=$!\ntrap "kill -TERM $child; wait $child" TERM\nwait $child\n' },
    { name: 'wait; trap - TERM; wait', script: "#!/bin/sh\ntrap 'kill -TERM $pid' TERM\nsvc & pid=$!\nwait $pid\ntrap - TERM\nwait $pid\n" },
    { name: 'a trap that calls a function which kills and waits', script: '#!/bin/bash\nstop() {\n  kill -TERM "$pid"\n  wait "$pid"\n}\ntrap stop TERM\nsvc & pid=$!\nwait "$pid"\n' },
    { name: 'trap kills and waits', script: "#!/bin/sh\ntrap 'kill -TERM $pid; wait $pid' TERM\nsvc & pid=$!\nwait $pid\n" },
    { name: 'two waits without set -e', script: "#!/bin/sh\ntrap 'kill -TERM $pid' TERM INT\nsvc & pid=$!\nwait $pid\nwait $pid\n" },
    { name: 'set -e but the first wait is guarded', script: "#!/bin/sh\nset -e\ntrap 'kill -TERM $pid' TERM\nsvc & pid=$!\nwait $pid || true\nwait $pid\n" },
    // Measured in test/shell-shapes-ns.test.ts: the trap runs the daemon's own stop, which waits for its drain.
    {
      name: "a trap that runs the daemons' own stop while the shell waits behind a keep-alive tail (HBase)",
      script:
        '#!/bin/bash\nset -euo pipefail\nshutdown() {\n  "$APP_HOME/bin/app-daemon.sh" stop master || :\n  "$APP_HOME/bin/stop-app.sh" | grep -v "not found"\n  sleep 2\n}\ntrap shutdown INT TERM EXIT\n"$APP_HOME/bin/app-daemon.sh" start master\ntail -f /dev/null "$APP_HOME/logs/"* &\nwait || :\n',
    },
    // the GitLab omnibus wrapper (assets/wrapper): runsvdir-start in the background, then `gitlab-ctl tail &` and `wait`; its
    // trap runs `gitlab-ctl stop`, which is `sv stop` for each runit service: sv's LSB stop waits for each to be down
    {
      name: 'a trap that runs `gitlab-ctl stop` (sv stop per service, which waits) and exits',
      script:
        '#!/bin/bash\nset -e\nfunction sigterm_handler() {\n    echo "SIGTERM signal received"\n    gitlab-ctl stop\n}\ntrap "sigterm_handler; exit" TERM\n/opt/gitlab/embedded/bin/runsvdir-start &\ngitlab-ctl reconfigure\ngitlab-ctl tail &\nwait\n',
    },
    // pexcn's transproxy.sh (busybox ash): the rule installers return, the trap flushes the rules and restores the
    // sysctls, and what the SIGKILL at the end meets is the keep-alive sleep
    {
      name: 'a trap that is the shutdown itself (flush rules, restore settings) in front of a keep-alive `sleep infinity & wait`, no daemon started',
      script:
        '#!/bin/sh\ngraceful_stop() {\n  echo "stopping"\n  transproxy -f\n  sysctl -p /tmp/sysctl-origin.conf\n}\nstart_transproxy() {\n  trap graceful_stop SIGTERM\n  transproxy "$@" || exit 1\n  echo "Container started."\n  sleep infinity &\n  wait\n}\nstart_transproxy "$@"\n',
    },
    { name: 'a trap that kills by name (pgrep | xargs kill)', script: "#!/bin/bash\ntrap 'pgrep -f appd | xargs kill; sleep 3' TERM\n/opt/app/bin/appd start\ntail -f /dev/null &\nwait || :\n" },
  ],
  invalid: [
    {
      name: 'the same keep-alive trap after `service appd start`: the daemon it started is SIGKILLed at the end',
      script: '#!/bin/sh\ngraceful_stop() {\n  echo "stopping"\n}\ntrap graceful_stop SIGTERM\nservice appd start\nsleep infinity &\nwait\n',
      errors: [{ message: /does not pass the signal/ }],
    },
    {
      name: 'a function named stop that only prints stops nothing',
      script: "#!/bin/bash\nstop() {\n  echo 'stopping'\n}\ntrap stop TERM\n/opt/app/bin/appd start\ntail -f /dev/null &\nwait || :\n",
      errors: [{ message: /does not pass the signal/ }],
    },
    {
      name: 'a trap that only prints "stop" stops nothing',
      script: '#!/bin/bash\ntrap "echo stop" TERM\n/opt/app/bin/appd start\ntail -f /dev/null &\nwait || :\n',
      errors: [{ message: /does not pass the signal/ }],
    },
    {
      name: 'a trap that sends SIGHUP and returns, under set -e: the script ends at the first wait',
      script: '#!/bin/bash\nset -e\nhandle() {\n  kill -s SIGHUP $!\n}\ntrap handle TERM\nsvc & wait\necho stopped\n',
      errors: [{ messageId: 'noWait', message: /the trap forwards SIGHUP/ }],
    },
    { name: 'one wait', script: "#!/bin/sh\ntrap 'kill -TERM $pid' TERM\nsvc & pid=$!\nwait $pid\n", errors: [{ message: /nothing waits/, line: 4 }] },
    { name: 'set -e ends it at the first wait', script: "#!/bin/sh\nset -e\ntrap 'kill -TERM $pid' TERM\nsvc & pid=$!\nwait $pid\nwait $pid\n", errors: [{ message: /set -e/ }] },
    {
      name: 'trap with the service in the foreground',
      script: "#!/bin/bash\ntrap 'echo bye; exit 0' TERM\nsvc --port 80\n",
      errors: [{ message: /only after the foreground command exits/, line: 3 }],
    },
    { name: 'trap that does not forward', script: "#!/bin/sh\ntrap 'exit 0' TERM\nsvc & pid=$!\nwait $pid\n", errors: [{ message: /does not pass the signal/ }] },
  ],
});
