// Post Video: a video straight to the profile, from a URL on a verified domain or a file.
import { videoCreate } from '../common/perform-post';

export const postVideo = videoCreate({
  key: 'post_video',
  noun: 'Video',
  label: 'Post Video',
  description:
    'Posts a video straight to the TikTok profile, from a URL on a verified domain or from a file. Retried safely: never posted twice.',
  mode: 'direct',
});
