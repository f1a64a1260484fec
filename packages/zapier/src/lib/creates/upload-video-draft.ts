// Upload Video as Draft: the video goes to the creator's inbox; they finish the post in the TikTok app.
import { videoCreate } from '../common/perform-post';

export const uploadVideoDraft = videoCreate({
  key: 'upload_video_draft',
  noun: 'Draft',
  label: 'Upload Video as Draft',
  description: "Sends a video to the creator's TikTok inbox; they finish and post it in the TikTok app.",
  mode: 'draft',
});
