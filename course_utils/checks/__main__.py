"""``python -m course_utils.checks choice-key QUESTION_ID ANSWER...``"""

from course_utils.checks.choice import _main

_main()
