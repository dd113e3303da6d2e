"""Application handlers."""
from agentdeck.amplifier import applications


def register_application(body):
    """POST /applications"""
    app, api_key = applications.register_application(body["app_id"], body["app_name"])
    return applications.application_with_key(app, api_key), 201


def list_applications():
    """GET /applications"""
    return [applications.application_info(a) for a in applications.list_applications()], 200


def get_application(app_id):
    """GET /applications/{app_id}"""
    return applications.application_info(applications.get_application(app_id)), 200


def delete_application(app_id):
    """DELETE /applications/{app_id}"""
    applications.delete_application(app_id)
    return {"message": f"Application '{app_id}' deleted successfully"}, 200


def regenerate_key(app_id):
    """POST /applications/{app_id}/regenerate-key"""
    app, api_key = applications.regenerate_key(app_id)
    return applications.application_with_key(app, api_key, "API key regenerated successfully"), 200
