#!/bin/sh
set -e
# wait for the database, run migrations...
echo "starting $*"
"$@"
