"""Config handlers."""
from agentdeck.amplifier import configs


def create_config(body):
    """POST /configs"""
    config = configs.create_config(body["name"], body["yaml_content"], body.get("description"),
                                   body.get("tags"))
    return configs.config_detail(config, "Config created successfully"), 201


def list_configs(limit=50, offset=0):
    """GET /configs"""
    page, total = configs.list_configs(limit, offset)
    return {"configs": [configs.config_summary(c) for c in page], "total": total}, 200


def get_config(config_id):
    """GET /configs/{config_id}"""
    return configs.config_detail(configs.get_config(config_id)), 200


def update_config(config_id, body):
    """PUT /configs/{config_id}"""
    config = configs.update_config(config_id, body)
    return configs.config_detail(config, "Config updated successfully"), 200


def delete_config(config_id):
    """DELETE /configs/{config_id}"""
    configs.delete_config(config_id)
    return {"message": "Config deleted successfully"}, 200
