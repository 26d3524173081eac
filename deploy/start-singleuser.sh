#!/bin/sh
# Start-up of both course images (the CMD of deploy/Dockerfile.student and .grader).
# First write this user's nbgrader and Jupyter settings into their home, from what the
# spawner put in the environment (JUPYTERHUB_USER, D2L_ROLE, D2L_COURSE_ID, D2L_EXCHANGE,
# D2L_COURSE_DIR; see autograder/hub_setup.py), then become jupyterhub-singleuser with the
# spawner's arguments.  A failure stops the start: a student server without its settings
# would submit under the wrong nbgrader student id.
set -eu
python -m autograder.hub_setup
exec jupyterhub-singleuser "$@"
