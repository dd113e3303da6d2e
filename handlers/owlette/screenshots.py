"""A machine's screenshots, for the site's users: the kept list and each image."""
from connexion.lifecycle import ConnexionResponse

from agentdeck.owlette.fleet import screenshots

from agentdeck.owlette.fleet.callers import site_admin


def list_screenshots(siteId, machineId, token_info):
    """GET /api/admin/screenshots"""
    site_admin(token_info, siteId)
    return screenshots.list_for(siteId, machineId), 200


def screenshot_image(screenshotId, siteId, token_info):
    """GET /api/admin/screenshots/{screenshotId}/image"""
    site_admin(token_info, siteId)
    return ConnexionResponse(status_code=200, body=screenshots.image(siteId, screenshotId), content_type="image/jpeg")
