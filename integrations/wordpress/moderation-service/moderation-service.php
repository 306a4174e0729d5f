<?php
/**
 * Plugin Name:       Moderation Service
 * Plugin URI:        https://github.com/
 * Description:       Sends the blog's comments to your self-hosted moderation service (spam and toxicity scores, a review queue, learning from your moderators) and keeps WordPress's own form, theme and comment screen. Comments stay pending until the service or you decide.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Moderation service team
 * License:           MIT
 * Text Domain:       moderation-service
 * Domain Path:       /languages
 *
 * @package ModerationService
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'MODERATION_SERVICE_PLUGIN_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-moderation-service-client.php';
require_once __DIR__ . '/includes/class-moderation-service.php';
require_once __DIR__ . '/includes/class-moderation-service-settings.php';

Moderation_Service::instance()->register();
if ( is_admin() ) {
	( new Moderation_Service_Settings() )->register();
}
register_activation_hook( __FILE__, array( 'Moderation_Service', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Moderation_Service', 'deactivate' ) );
