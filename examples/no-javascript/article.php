<?php
// A blog page with no JavaScript: a plain comment form posted to the moderation service, which answers
// "303 See Other" back here with comment_status, comment_message and comment_errors in the query string
// (docs/no-javascript.md). Messages come from the service, in the reader's language; this page only shows them.
// Run: MODERATION_SERVICE_URL=http://127.0.0.1:8000 php -S 127.0.0.1:8081 -t examples/no-javascript
$service = rtrim(getenv('MODERATION_SERVICE_URL') ?: 'http://127.0.0.1:8000', '/');
$here = (isset($_SERVER['HTTPS']) ? 'https' : 'http') . '://' . $_SERVER['HTTP_HOST'] . strtok($_SERVER['REQUEST_URI'], '?');
$status = $_GET['comment_status'] ?? '';
$message = $_GET['comment_message'] ?? '';
$errors = json_decode($_GET['comment_errors'] ?? '{}', true);
$errors = is_array($errors) ? $errors : [];
function e(string $text): string { return htmlspecialchars($text, ENT_QUOTES | ENT_HTML5, 'UTF-8'); }
function field_error(array $errors, string $field): string {
    $messages = $errors[$field] ?? [];
    return $messages ? '<span class="error" id="' . e($field) . '-error">' . e(implode(' ', (array) $messages)) . '</span>' : '';
}
?><!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Réforme des retraites : ce qui change</title></head>
<body>
<article><h1>Réforme des retraites : ce qui change</h1><p>…</p></article>
<section id="respond">
  <h2>Laisser un commentaire</h2>
  <?php if ($status === 'awaiting_moderation'): ?>
    <p class="notice" role="status"><?= e($message) ?></p>
  <?php elseif ($status !== ''): ?>
    <p class="notice error" role="alert"><?= e($message) ?></p>
  <?php endif; ?>
  <form method="post" action="<?= e($service) ?>/api/v1/comments">
    <input type="hidden" name="comment_post_ID" value="retraites">
    <input type="hidden" name="post_title" value="Réforme des retraites : ce qui change">
    <input type="hidden" name="post_url" value="<?= e($here) ?>">
    <input type="hidden" name="redirect_to" value="<?= e($here) ?>#respond">
    <p><label for="author">Nom *</label> <input id="author" name="author" required> <?= field_error($errors, 'author') ?></p>
    <p><label for="email">E-mail *</label> <input id="email" name="email" type="email" required> <?= field_error($errors, 'email') ?></p>
    <p><label for="url">Site web</label> <input id="url" name="url"> <?= field_error($errors, 'url') ?></p>
    <p><label for="comment">Commentaire *</label> <textarea id="comment" name="comment" required></textarea> <?= field_error($errors, 'content') ?></p>
    <p><button type="submit">Publier le commentaire</button></p>
  </form>
</section>
</body>
</html>
