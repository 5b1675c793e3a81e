#!/usr/bin/python
# Returns what ansible.windows.win_powershell returns (A2: result, host_out, host_err, output,
# error, warning, verbose, debug, information), with the capture placeholder as $Ansible.Result.
from ansible.module_utils.basic import AnsibleModule


def main():
    m = AnsibleModule(argument_spec=dict(result=dict(type="raw"), fail=dict(type="bool", default=False)))
    if m.params["fail"]:
        m.fail_json(msg="Exception calling \"Invoke\" with \"0\" argument(s): \"Access is denied\"",
                    result={}, host_out="", host_err="", output=[], error=[{"output": "Access is denied", "fully_qualified_error_id": "UnauthorizedAccessException"}],
                    warning=[], verbose=[], debug=[], information=[])
    m.exit_json(changed=False, result=m.params["result"], host_out="", host_err="", output=[], error=[],
                warning=[], verbose=[], debug=[], information=[])

main()
