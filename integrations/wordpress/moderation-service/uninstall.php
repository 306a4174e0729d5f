<?php
/**
 * Uninstall: the plugin's options, its comment metadata and its WP-cron event go; the comments stay.
 *
 * @package ModerationService
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require_once __DIR__ . '/includes/class-moderation-service-client.php';
require_once __DIR__ . '/includes/class-moderation-service.php';

foreach ( Moderation_Service::OPTIONS as $option ) {
	delete_option( $option );
}
foreach ( array( Moderation_Service::META_ID, Moderation_Service::META_UNSENT, Moderation_Service::META_DECISION ) as $key ) {
	delete_metadata( 'comment', 0, $key, '', true );
}
wp_clear_scheduled_hook( Moderation_Service::CRON );
